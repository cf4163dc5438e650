-- v8: entries whose metadata must not be refreshed (local overrides).
alter table model_metadata add column updates_disabled boolean default false not null;
