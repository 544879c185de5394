-- Failed password and client-secret guesses per account and per client address (auth/guess-guard.ts),
-- in the database so every process counts against one budget. `expire` is epoch milliseconds;
-- NULL never expires. The layout is rate-limiter-flexible's own SQL store table.
CREATE TABLE guess_counters (
  key TEXT PRIMARY KEY,
  points INTEGER NOT NULL,
  expire BIGINT
);
