/*
 * Real spherical harmonics Y_lm(v̂) for l ≤ 3, orthonormal on the unit sphere
 * (∫ Y_lm Y_l'm' dΩ = δ_ll' δ_mm'), and their gradients with respect to the (not necessarily
 * unit) vector v, for the non-local pseudopotential and its stress.
 *
 * Convention: out[m + l] for m = −l..l, with m < 0 the sine-like and m > 0 the cosine-like
 * combinations, without the Condon–Shortley phase:
 *   l = 0: 1/(2√π)
 *   l = 1: √(3/4π) (y, z, x)/r
 *   l = 2: c(xy, yz, (3z²−r²)/(2√3), xz, (x²−y²)/2)/r², c = √(15/4π)
 *   l = 3: √(35/32π) y(3x²−y²), √(105/4π) xyz, √(21/32π) y(5z²−r²), √(7/16π) z(5z²−3r²),
 *          √(21/32π) x(5z²−r²), √(105/16π) z(x²−y²), √(35/32π) x(x²−3y²), all over r³
 * Addition theorem: Σ_m Y_lm(a) Y_lm(b) = (2l+1)/(4π) P_l(â·b̂).
 * At v = 0 the l = 0 value is returned and all l > 0 values (and all gradients) are 0.
 */
#ifndef PW_YLM_REAL_H
#define PW_YLM_REAL_H

/* out[0..2l]: Y_lm(v/|v|), l in 0..3. */
void pw_ylm_real(int l, const double v[3], double *out);
/* out[0..2l] as above and grad[m+l][a] = ∂Y_lm/∂v_a (units 1/|v|), l in 0..3. */
void pw_ylm_real_grad(int l, const double v[3], double *out, double (*grad)[3]);

#endif
