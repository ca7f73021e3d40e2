/*
 * The G = 0 term of the local pseudopotential ("psp_core" in ABINIT's output, although it is
 * not a core correction): E = (Σ_atoms epsatm) · N_el / Ω with
 * epsatm = lim_{q→0} [V_loc(q) + 4πZ_ion/q²] (gth.h). The divergent Coulomb parts of the
 * local, Hartree and ion–ion energies cancel for a neutral cell and are dropped (the Ewald
 * background term takes the ion part). See the reference README's convention 1.
 */
#include "engines/dft/terms/term.h"

double pw_psp_core_energy(const pw_system *sys)
{
    double eps = 0.0;
    for (size_t a = 0; a < sys->n_atoms; a++) eps += pw_gth_vloc_g0(&sys->psp[sys->species[a]]);
    return eps * sys->n_electrons / sys->omega;
}
