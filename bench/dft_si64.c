/*
 * Where the plane-wave DFT's time goes on one ground state: reads the first frame of an extxyz
 * file and runs the engine with the settings of bench/dft_si64.sh (PZ LDA, ecut 15 Ha, Γ only,
 * occupied bands only, SCF to 1e-8 Ha, mixing β 0.5, no forces or stress), then prints the energy, the SCF
 * steps and the engine's own wall time per phase (pw_result's t_* fields) with their shares.
 * bench/dft_si64.sh --profile runs it under perf for the function-level profile.
 * Usage: bench_dft_si64 IN.xyz GTH_FILE [FFT_N]   (GTH_FILE in CP2K's format, entry GTH-PADE-q4)
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_util.h"
#include "core/extxyz.h"
#include "core/units.h"
#include "engines/dft/dft.h"

static void phase(const char *name, double t, double total)
{
    printf("phase %-12s %9.2f s %6.1f %%\n", name, t, total > 0 ? 100.0 * t / total : 0.0);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s IN.xyz GTH_FILE [FFT_N]\n", argv[0]);
        return 2;
    }
    pw_settings s = pw_settings_default();
    s.ecut_ha = 15.0;
    s.xc = PW_XC_LDA_PZ;
    s.extra_bands = 0;       /* 128 bands for Si64: the occupied ones, as in QE and ABINIT */
    s.tol_energy_ha = 1e-8;
    s.mix.beta = 0.5;        /* galore dft's default (the campaign's); the engine's own is 0.7 */
    s.max_iter = 300;
    s.forces = s.stress = false;
    snprintf(s.psp_file, sizeof s.psp_file, "%s", argv[2]);
    s.n_psp = 1;
    s.psp[0].z = 14;
    snprintf(s.psp[0].entry, sizeof s.psp[0].entry, "GTH-PADE-q4");
    int n = argc > 3 ? atoi(argv[3]) : 0;
    for (int d = 0; d < 3; d++) s.fft_grid[d] = n;

    al_err err;
    al_err_clear(&err);
    al_xyz_reader *rd = NULL;
    pw_dft *calc = NULL;
    al_frame f;
    al_frame_init(&f);
    int end = 0, rc = 1;
    if (al_xyz_open(argv[1], &rd, &err) || al_xyz_read_next(rd, &f, &end, &err) || end) {
        fprintf(stderr, "%s: %s\n", argv[1], end ? "no frame" : err.msg);
        goto done;
    }
    if (pw_dft_create(&s, &calc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        goto done;
    }
    pw_result r;
    double t0 = al_wtime();
    al_status st = pw_dft_run(calc, &f, &r, &err);
    double wall = al_wtime() - t0;
    if (st != AL_OK && st != AL_ENOCONV) {
        fprintf(stderr, "%s\n", err.msg);
        goto done;
    }
    printf("energy_ha %.11f\n", r.energy_ev * AL_EV_HARTREE);
    printf("scf_iterations %d %s\n", r.iterations, r.converged ? "converged" : "NOT CONVERGED");
    printf("grid %dx%dx%d  bands %zu  plane_waves %zu\n", r.fft_grid[0], r.fft_grid[1],
           r.fft_grid[2], r.n_bands, r.npw[0]);
    /* Shares of the whole pw_dft_run; "basis" is what lies outside the SCF (system, basis,
     * pseudopotential tables, projectors). */
    phase("basis", wall - r.t_total, wall);
    phase("scf_setup", r.t_setup, wall);
    phase("eigensolver", r.t_eigensolver, wall);
    phase("density", r.t_density, wall);
    phase("potentials", r.t_potential, wall);
    phase("energy", r.t_energy, wall);
    phase("mixing", r.t_mixing, wall);
    phase("total", wall, wall);
    printf("peak_mib %.1f\n", bench_peak_mib());
    rc = r.converged ? 0 : 1;
    pw_result_fini(&r);
done:
    pw_dft_destroy(calc);
    al_xyz_close(rd);
    al_frame_fini(&f);
    return rc;
}
