/*
 * Real regular solid harmonics and their Cartesian gradients, for SOAP.
 *
 * S_lm(x, y, z) are the real solid harmonics with the recursions of Helgaker, Jørgensen and
 * Olsen, "Molecular Electronic-Structure Theory" (Wiley 2000), eqs. 6.4.70–6.4.73 (S_00 = 1,
 * Racah normalisation). The orthonormal real spherical harmonics of the direction d/|d| are
 * Y_lm = sqrt((2l + 1)/4π) S_lm(d) / |d|^l. Rotational invariants such as the SOAP power
 * spectrum Σ_m X_lm X'_lm are the same in this real basis as in the complex one.
 */
#ifndef DESC_YLM_H
#define DESC_YLM_H

/* Number of (l, m) pairs up to l_max: (l_max + 1)². Index of (l, m): l² + l + m. */
#define DESC_YLM_COUNT(lmax) (((lmax) + 1) * ((lmax) + 1))

/*
 * Orthonormal real Y_lm of the direction of d for l = 0..l_max into y, and, when grad is not
 * NULL, their gradients with respect to d (grad[3·idx + c] = ∂Y_idx/∂d_c). |d| > 0.
 */
void desc_ylm(int l_max, const double d[3], double *y, double *grad);

#endif
