-- v3: cached third-party (CivitAI) metadata per model file hash.
create table model_metadata
(
    id                  int auto_increment primary key,
    hash                varchar(255) unique    null,
    metadata_cache      longtext               null,
    metadata_provider   int                    null,
    metadata_updated_at datetime default now() null
);
