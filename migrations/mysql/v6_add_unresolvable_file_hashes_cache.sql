-- v6: SHA-256 of model files, so large files are hashed once.
create table file_sha256_cache
(
    file_name  varchar(255) primary key,
    sha256_sum varchar(64) not null,
    created_at timestamp default current_timestamp
);
