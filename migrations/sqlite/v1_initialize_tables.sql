-- Navigator schema v1 for SQLite: the same tables, columns and defaults as the MySQL flavour.
create table if not exists image_categories
(
    id       integer primary key autoincrement,
    name64   varchar(255) not null,
    owner_id varchar(64)  not null
);

create table if not exists images
(
    id           varchar(64) not null primary key,
    image_data   blob        null,
    preview_data blob        null,
    message_id   varchar(64) null,
    owner_id     varchar(64) not null,
    created_at   datetime    not null default current_timestamp,
    category_id  integer     null references image_categories (id) on delete set null
);

create table if not exists migrations
(
    migration_id        integer  not null unique,
    migration_timestamp datetime null default current_timestamp
);

create table if not exists models
(
    id            integer primary key autoincrement,
    model_name    varchar(255) not null,
    friendly_name varchar(255) null,
    is_restricted tinyint(1)   not null default 0
);
