#pragma once
// SQLite's process-wide memory settings, which it only takes before its first connection opens.

namespace nav::store {

// Makes each connection allocate its page cache a page at a time as it reads, instead of SQLite's default
// bulk of 20 pages (about 86 KB, every one of them touched) at its first read: a navigator that only
// started opens four connections (the reachability probe, the migrations, two pool threads) and kept
// 0.24 MiB of those pages resident at idle. A busy connection's cache fills up as before; each page slot is
// one allocation instead of a share of the bulk one. Called by Database::open; once per process. False when
// SQLite was already in use in this process, which keeps its defaults then.
bool configureSqliteMemory();

} // namespace nav::store
