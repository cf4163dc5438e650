-- v2: cache of Forge's png-info answer (base64 JSON) next to the image.
alter table images add info_data64 varchar(10240) null after image_data;
