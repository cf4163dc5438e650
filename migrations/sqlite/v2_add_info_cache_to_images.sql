alter table images add column info_data64 varchar(10240) null;
