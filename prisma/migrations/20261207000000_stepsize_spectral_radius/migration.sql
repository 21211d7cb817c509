-- Step-size runs of linear games store rho of the step matrix at their h (exact, from the
-- eigenvalues of H) and the game's Euclidean margin (the phase diagram shades where it is >= 0).
-- Both null for earlier rows, nonlinear games and failed runs.
ALTER TABLE "stepsize_results" ADD COLUMN "spectral_radius" DOUBLE PRECISION;
ALTER TABLE "stepsize_results" ADD COLUMN "gamma_euclidean" DOUBLE PRECISION;
