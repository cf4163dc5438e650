-- v11 (this implementation): what Discord returned at each login, and access requests of refused users.
-- One row per Discord id. The original's tables are untouched, so the original can still use this database.
create table discord_profiles
(
    discord_id       varchar(32) charset latin1 not null primary key,
    username         varchar(64)                null,
    global_name      varchar(64)                null,
    avatar           varchar(64) charset latin1 null,
    last_login_at    datetime                   null,
    refused_logins   int default 0              not null,
    request_status   varchar(16) charset latin1 null,
    request_attempts int default 0              not null,
    first_attempt_at datetime                   null,
    last_attempt_at  datetime                   null,
    decided_at       datetime                   null,
    decided_by       varchar(32) charset latin1 null,
    index discord_profiles_request (request_status, last_attempt_at)
) charset utf8mb4;
