create table users
(
    id         bigint primary key,
    role       integer  not null default 1,
    created_at datetime null default current_timestamp,
    updated_at datetime null default current_timestamp
);
-- MySQL's "on update current_timestamp".
create trigger users_touch_updated_at after update on users
    for each row when new.updated_at is old.updated_at
begin
    update users set updated_at = current_timestamp where id = new.id;
end;
