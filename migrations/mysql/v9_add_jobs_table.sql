-- v9 (this implementation): the durable job queue. One row per generation request, kept after it ends.
create table jobs
(
    job_id        varchar(64) charset latin1           not null primary key,
    sequence      bigint auto_increment                not null unique,
    owner_id      varchar(64) charset latin1           not null,
    origin        varchar(64)                          null,
    task_type     varchar(16)                          not null,
    status        varchar(16)                          not null,
    params        longtext                             not null,
    model_name    varchar(255)                         null,
    attempts      int      default 0                   not null,
    error_code    varchar(64)                          null,
    error_message text                                 null,
    backend       varchar(255)                         null,
    created_at    datetime default current_timestamp() not null,
    started_at    datetime                             null,
    finished_at   datetime                             null,
    index jobs_status_sequence (status, sequence),
    index jobs_owner (owner_id)
);
