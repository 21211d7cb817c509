-- The database and the four roles of sgn's least-privilege layout (docs/deployment.md, "Roles").
-- Run by a superuser, once per deployment and again at will (it changes nothing that exists):
--
--   psql "postgresql://postgres@db-host:5432/postgres" -f db/roles.sql \
--     -v owner_password=... -v operator_password=... -v worker_password=... -v reader_password=...
--
-- then, as the owner, apply the migrations and grant the other three their privileges:
--
--   DATABASE_URL=postgresql://sgn_owner:...@db-host:5432/sgn sgn migrate \
--     --operator-role sgn_operator --worker-role sgn_worker --reader-role sgn_reader
--
-- psql variables (default): database (sgn), owner (sgn_owner), operator (sgn_operator),
-- worker (sgn_worker), reader (sgn_reader), <role>_password for each of the four (none: a role
-- without a password, for certificate or peer authentication). A role or database that exists is
-- left as it is (a password is never reset: ALTER ROLE ... PASSWORD for that).
--
-- owner:    owns the database and every table; runs `sgn migrate` (and nothing else routinely)
-- operator: sgn sweep start|resume|pause|cancel, and every read
-- worker:   sgn worker: reads specs, inserts results, moves a sweep's counters and status
-- reader:   sgn sweep list|status|results|band, sgn report, sgn dashboard
\set ON_ERROR_STOP on

\if :{?database}
\else
  \set database sgn
\endif
\if :{?owner}
\else
  \set owner sgn_owner
\endif
\if :{?operator}
\else
  \set operator sgn_operator
\endif
\if :{?worker}
\else
  \set worker sgn_worker
\endif
\if :{?reader}
\else
  \set reader sgn_reader
\endif
\if :{?owner_password}
\else
  \set owner_password ''
\endif
\if :{?operator_password}
\else
  \set operator_password ''
\endif
\if :{?worker_password}
\else
  \set worker_password ''
\endif
\if :{?reader_password}
\else
  \set reader_password ''
\endif

-- Login roles, none of them a superuser, none able to create roles or databases.
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', r.name, nullif(r.password, ''))
FROM (VALUES (:'owner', :'owner_password'), (:'operator', :'operator_password'),
             (:'worker', :'worker_password'), (:'reader', :'reader_password')) AS r(name, password)
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r.name) \gexec

-- The database, owned by the owner: it may create the tables (PostgreSQL 15 lets only the
-- database's owner create in schema public).
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'owner')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec

-- Only the roles granted CONNECT by `sgn migrate` (and the owner, and superusers) connect.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;

-- Nobody but the owner creates objects in schema public (the default since PostgreSQL 15, where
-- the database's owner may; older versions let everybody, and need the explicit grant).
\connect :"database"
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CREATE, USAGE ON SCHEMA public TO :"owner";
