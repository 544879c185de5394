const D = require('better-sqlite3');
const db = new D(process.argv[2], {readonly:true});
const q = [
 [`select r.id from recipients as r inner join messages as m on m.id = r.message_id where r.status in (?, ?) and r.next_attempt_at <= ? and (r.lease_until is null or r.lease_until < ?) order by r.next_attempt_at limit ?`, ['queued','deferred',1,1,5]],
 [`select r.id from recipients as r inner join messages as m on m.id = r.message_id where r.status in ('queued','deferred') and r.next_attempt_at <= ? and (r.lease_until is null or r.lease_until < ?) order by r.next_attempt_at limit ?`, [1,1,5]],
 [`select min(case when lease_until > next_attempt_at then lease_until else next_attempt_at end) as due from recipients where status in (?, ?)`, ['queued','deferred']],
 [`select status from recipients where message_id = ?`, ['x']],
];
for (const [s,p] of q) console.log(db.prepare('explain query plan '+s).all(...p).map(r=>r.detail).join(' | '));
