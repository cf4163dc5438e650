create table jobs
(
    sequence      integer primary key autoincrement,
    job_id        varchar(64)  not null unique,
    owner_id      varchar(64)  not null,
    origin        varchar(64)  null,
    task_type     varchar(16)  not null,
    status        varchar(16)  not null,
    params        text         not null,
    model_name    varchar(255) null,
    attempts      integer      not null default 0,
    error_code    varchar(64)  null,
    error_message text         null,
    backend       varchar(255) null,
    created_at    datetime     not null default current_timestamp,
    started_at    datetime     null,
    finished_at   datetime     null
);
create index jobs_status_sequence on jobs (status, sequence);
create index jobs_owner on jobs (owner_id);
