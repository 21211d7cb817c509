-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "sweeps" (
    "id" TEXT NOT NULL,
    "name" TEXT,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "spec_hash" TEXT NOT NULL,
    "total_cells" INTEGER NOT NULL,
    "done_cells" INTEGER NOT NULL DEFAULT 0,
    "failed_cells" INTEGER NOT NULL DEFAULT 0,
    "workflow_id" TEXT NOT NULL,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "sweeps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cell_results" (
    "id" BIGSERIAL NOT NULL,
    "sweep_id" TEXT NOT NULL,
    "cell_index" INTEGER NOT NULL,
    "cell_key" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "game_param" DOUBLE PRECISION,
    "ratio" DOUBLE PRECISION,
    "region_radius" DOUBLE PRECISION,
    "seed" INTEGER,
    "certified" BOOLEAN NOT NULL DEFAULT false,
    "gamma_euclidean" DOUBLE PRECISION,
    "alpha" DOUBLE PRECISION,
    "beta" DOUBLE PRECISION,
    "euler_step" DOUBLE PRECISION,
    "rk4_step" DOUBLE PRECISION,
    "weights" DOUBLE PRECISION[] DEFAULT ARRAY[]::DOUBLE PRECISION[],
    "mu" DOUBLE PRECISION[] DEFAULT ARRAY[]::DOUBLE PRECISION[],
    "coupling_l" JSONB,
    "optimal_alpha" DOUBLE PRECISION,
    "optimal_ratio" DOUBLE PRECISION,
    "band_minus" DOUBLE PRECISION,
    "band_plus" DOUBLE PRECISION,
    "alpha_true" DOUBLE PRECISION,
    "h_stab_euler" DOUBLE PRECISION,
    "h_stab_rk4" DOUBLE PRECISION,
    "error" TEXT,
    "computed_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cell_results_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stepsize_results" (
    "id" BIGSERIAL NOT NULL,
    "sweep_id" TEXT NOT NULL,
    "cell_index" INTEGER NOT NULL,
    "cell_key" TEXT NOT NULL,
    "integrator" TEXT NOT NULL,
    "multiplier" DOUBLE PRECISION NOT NULL,
    "step" DOUBLE PRECISION NOT NULL,
    "certified_step" DOUBLE PRECISION NOT NULL,
    "exact_threshold" DOUBLE PRECISION,
    "stable_exact" BOOLEAN,
    "converged_fraction" DOUBLE PRECISION NOT NULL,
    "empirical_factor" DOUBLE PRECISION,
    "predicted_factor" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stepsize_results_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "band_maps" (
    "id" SERIAL NOT NULL,
    "sweep_id" TEXT NOT NULL,
    "param_name" TEXT NOT NULL,
    "param_value" DOUBLE PRECISION NOT NULL,
    "ratios" DOUBLE PRECISION[],
    "alphas" DOUBLE PRECISION[],
    "r_minus" DOUBLE PRECISION,
    "r_plus" DOUBLE PRECISION,
    "optimal_ratio" DOUBLE PRECISION,
    "alpha_max" DOUBLE PRECISION,
    "certified_fraction" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "band_maps_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "cell_results_sweep_id_cell_index_idx" ON "cell_results"("sweep_id", "cell_index");

-- CreateIndex
CREATE INDEX "cell_results_sweep_id_game_param_ratio_idx" ON "cell_results"("sweep_id", "game_param", "ratio");

-- CreateIndex
CREATE UNIQUE INDEX "cell_results_sweep_id_cell_key_key" ON "cell_results"("sweep_id", "cell_key");

-- CreateIndex
CREATE UNIQUE INDEX "stepsize_results_sweep_id_cell_key_integrator_multiplier_key" ON "stepsize_results"("sweep_id", "cell_key", "integrator", "multiplier");

-- CreateIndex
CREATE UNIQUE INDEX "band_maps_sweep_id_param_name_param_value_key" ON "band_maps"("sweep_id", "param_name", "param_value");

-- AddForeignKey
ALTER TABLE "cell_results" ADD CONSTRAINT "cell_results_sweep_id_fkey" FOREIGN KEY ("sweep_id") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stepsize_results" ADD CONSTRAINT "stepsize_results_sweep_id_fkey" FOREIGN KEY ("sweep_id") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "band_maps" ADD CONSTRAINT "band_maps_sweep_id_fkey" FOREIGN KEY ("sweep_id") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

