-- Sweep ids and cell keys are identifiers: compare them byte by byte (COLLATE "C") instead of
-- by the locale of the database. Every inserted cell result compares them in three B-tree
-- indexes (primary key of sweeps through the foreign key, unique (sweep_id, cell_key),
-- (sweep_id, cell_index)), and with the strcoll of the locale that cost ~17% of the server CPU per
-- inserted row in the sweep benchmark (C.UTF-8 database, en_US locales collate slower still).
-- Ids and keys are ASCII, so their order is the same either way. The Prisma schema language
-- cannot express a column collation and does not compare it, so this lives here only.
-- (No semicolons or apostrophes in these comments: the migration runner splits statements on
-- semicolons, even in comments.)

-- The foreign keys go while the referenced column changes, and come back unchanged.
ALTER TABLE "cell_results" DROP CONSTRAINT "cell_results_sweep_id_fkey";
ALTER TABLE "stepsize_results" DROP CONSTRAINT "stepsize_results_sweep_id_fkey";
ALTER TABLE "band_maps" DROP CONSTRAINT "band_maps_sweep_id_fkey";

ALTER TABLE "sweeps" ALTER COLUMN "id" TYPE TEXT COLLATE "C";
ALTER TABLE "cell_results" ALTER COLUMN "sweep_id" TYPE TEXT COLLATE "C", ALTER COLUMN "cell_key" TYPE TEXT COLLATE "C";
ALTER TABLE "stepsize_results" ALTER COLUMN "sweep_id" TYPE TEXT COLLATE "C", ALTER COLUMN "cell_key" TYPE TEXT COLLATE "C";
ALTER TABLE "band_maps" ALTER COLUMN "sweep_id" TYPE TEXT COLLATE "C";

ALTER TABLE "cell_results" ADD CONSTRAINT "cell_results_sweep_id_fkey" FOREIGN KEY ("sweep_id") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "stepsize_results" ADD CONSTRAINT "stepsize_results_sweep_id_fkey" FOREIGN KEY ("sweep_id") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "band_maps" ADD CONSTRAINT "band_maps_sweep_id_fkey" FOREIGN KEY ("sweep_id") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
