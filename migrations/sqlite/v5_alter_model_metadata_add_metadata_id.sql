alter table model_metadata add column metadata_id integer null;
update model_metadata set metadata_updated_at = '2000-01-01 00:00:00';
