-- v4: users, keyed by Discord id (a 64-bit integer).
create table users
(
    id         bigint primary key,
    role       int default 1 not null,
    created_at datetime default current_timestamp null,
    updated_at datetime default current_timestamp on update current_timestamp
);
