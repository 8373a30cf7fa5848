-- denormq: each handler's applied position, in the read model's database.
-- A message's effects and its handler's position commit in one transaction.
create table if not exists denormq_applied (
    handler       varchar(200) not null,
    partition_no  int          not null,
    last_sequence bigint       not null,
    primary key (handler, partition_no)
);
