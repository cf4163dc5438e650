-- v7: the model type of each metadata entry; existing entries were all LoRAs (type 0).
alter table model_metadata add column model_type int null after hash;
update model_metadata set model_type = 0;
alter table model_metadata modify column model_type int not null;
