-- denormq: each handler's applied positions, in the read model's database.
-- A message's effects and its handler partition's position commit in one transaction;
-- rows of an earlier partition count are kept (they tell what was applied before the change).
create table if not exists denormq_applied (
    handler         varchar(200) not null,
    partition_count int          not null,
    partition_no    int          not null,
    last_sequence   bigint       not null,
    primary key (handler, partition_count, partition_no)
);
