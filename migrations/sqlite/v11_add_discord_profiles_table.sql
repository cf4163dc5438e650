-- v11 (this implementation): what Discord returned at each login, and access requests of refused users.
-- One row per Discord id. The original's tables are untouched, so the original can still use this database.
create table discord_profiles
(
    discord_id       varchar(32) not null primary key,
    username         varchar(64) null,
    global_name      varchar(64) null,
    avatar           varchar(64) null,
    last_login_at    datetime    null,
    refused_logins   integer     not null default 0,
    request_status   varchar(16) null,
    request_attempts integer     not null default 0,
    first_attempt_at datetime    null,
    last_attempt_at  datetime    null,
    decided_at       datetime    null,
    decided_by       varchar(32) null
);
create index discord_profiles_request on discord_profiles (request_status, last_attempt_at);
