-- v5: the provider's id of the metadata. As in the original, every cached entry is marked stale so that it is
-- fetched again with its id.
alter table model_metadata add metadata_id int null after metadata_provider;
update model_metadata set metadata_updated_at = '2000-01-01 00:00:00';
