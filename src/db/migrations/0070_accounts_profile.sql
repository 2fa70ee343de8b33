-- A person's profile (issue 13): what /me sets and what fills the search and ask filters by
-- default. Every column may stay empty: nobody has to say more than their address and name.
-- The region is the short 시도 key (`서울`) and a 시군구 of it (`강남구`), checked against
-- src/utils/regions.ts by the service; here only that a 시군구 never comes without its 시도.
alter table users add column birth_year integer;
alter table users add column region_sido text;
alter table users add column region_sigungu text;
alter table users add column situation text;

alter table users add constraint users_birth_year_check check (birth_year between 1900 and 2100);
alter table users add constraint users_region_check check (region_sigungu is null or region_sido is not null);
alter table users add constraint users_situation_check
  check (situation in ('student', 'job-seeking', 'employed', 'starting-business', 'other'));
