-- A step-size run whose game could not be analysed (a singular system, a non-finite value, a
-- cell that outlasted its time budget or killed its worker) is stored as a row with its error,
-- like a failed certify cell: the sweep ends with it instead of retrying the batch forever.
-- Such a row has no step, certified step or converged fraction.
ALTER TABLE "stepsize_results" ADD COLUMN "error" TEXT;
ALTER TABLE "stepsize_results" ALTER COLUMN "step" DROP NOT NULL;
ALTER TABLE "stepsize_results" ALTER COLUMN "certified_step" DROP NOT NULL;
ALTER TABLE "stepsize_results" ALTER COLUMN "converged_fraction" DROP NOT NULL;
