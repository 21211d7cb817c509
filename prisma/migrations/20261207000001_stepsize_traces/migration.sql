-- The convergence criterion each step-size result counts by (`residual <= 1e-06`, `residual <= 1e-06
-- or distance <= 1`, ...), and the thinned histories of the runs (stepsize.trace), one row per run
-- with its kept steps and the values there as arrays of equal length (null: not finite).
ALTER TABLE "stepsize_results" ADD COLUMN "convergence" TEXT;

CREATE TABLE "stepsize_traces" (
    "sweep_id" TEXT COLLATE "C" NOT NULL,
    "cell_index" INTEGER NOT NULL,
    "cell_key" TEXT COLLATE "C" NOT NULL,
    "integrator" TEXT NOT NULL,
    "multiplier" DOUBLE PRECISION NOT NULL,
    "run" INTEGER NOT NULL,
    "step" DOUBLE PRECISION NOT NULL,
    "k" INTEGER[],
    "residual" DOUBLE PRECISION[],
    "distance" DOUBLE PRECISION[],
    "metric_distance" DOUBLE PRECISION[],
    "lyapunov" DOUBLE PRECISION[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stepsize_traces_pkey" PRIMARY KEY ("sweep_id","cell_key","integrator","multiplier","run")
);

ALTER TABLE "stepsize_traces" ADD CONSTRAINT "stepsize_traces_sweep_id_fkey" FOREIGN KEY ("sweep_id") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
