-- SQLite cannot add a NOT NULL column without a default; existing entries were all LoRAs (type 0).
alter table model_metadata add column model_type integer not null default 0;
