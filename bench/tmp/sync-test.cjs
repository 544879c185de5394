const D = require('better-sqlite3'); const fs=require('fs'); fs.rmSync('/tmp/st.db*',{force:true});
const db = new D('/tmp/st.db'); db.pragma('journal_mode=WAL'); db.pragma('synchronous=FULL');
db.exec('create table if not exists t(x)');
const mode = process.argv[2];
let t=performance.now();
for (let i=0;i<200;i++){ 
  if (mode==='outside') db.pragma('synchronous=NORMAL');
  db.exec('BEGIN'); if (mode==='inside') db.exec('PRAGMA synchronous=NORMAL'); db.prepare('insert into t values (?)').run(i); db.exec('COMMIT');
  if (mode!=='full') db.pragma('synchronous=FULL');
}
console.log(mode, ((performance.now()-t)/200).toFixed(3),'ms per commit');
