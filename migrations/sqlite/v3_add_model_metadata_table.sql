create table model_metadata
(
    id                  integer primary key autoincrement,
    hash                varchar(255) unique null,
    metadata_cache      text                null,
    metadata_provider   integer             null,
    metadata_updated_at datetime            null default current_timestamp
);
