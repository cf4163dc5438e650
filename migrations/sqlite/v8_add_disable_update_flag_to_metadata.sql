alter table model_metadata add column updates_disabled boolean not null default false;
