-- v10 (this implementation): indexes for the per-owner and per-category image lists, and the large job inputs
-- (init image, mask) moved out of jobs.params into their own table so job-state reads never load them.
-- On SQLite the images columns after the blobs cost a read of every image without these indexes.
create index if not exists images_owner_created on images (owner_id, created_at);
create index if not exists images_category on images (category_id);

create table job_inputs
(
    job_id     varchar(64) not null primary key,
    init_image text        null,
    mask       text        null
);

insert into job_inputs (job_id, init_image, mask)
select job_id, json_extract(params, '$.init_image'), json_extract(params, '$.mask')
from jobs
where status in ('queued', 'started')
  and (json_extract(params, '$.init_image') is not null or json_extract(params, '$.mask') is not null);

update jobs
set params = json_remove(params, '$.init_image', '$.mask')
where json_extract(params, '$.init_image') is not null or json_extract(params, '$.mask') is not null;
