/* 3×3 cell helpers (see cell.h). */
#include "core/cell.h"

#include <math.h>

double al_mat3_det(const double m[3][3])
{
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

al_status al_mat3_inv(const double m[3][3], double inv[3][3], al_err *err)
{
    double det = al_mat3_det(m);
    double scale = 0.0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) scale = fmax(scale, fabs(m[i][j]));
    if (!(fabs(det) > 1e-12 * scale * scale * scale) || !isfinite(det))
        return al_fail(err, AL_EINVAL, "cell matrix is singular (determinant %g)", det);
    double d = 1.0 / det;
    inv[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) * d;
    inv[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) * d;
    inv[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) * d;
    inv[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) * d;
    inv[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) * d;
    inv[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) * d;
    inv[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) * d;
    inv[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) * d;
    inv[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) * d;
    return AL_OK;
}

void al_mat3_mul(const double a[3][3], const double b[3][3], double out[3][3])
{
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            out[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
}

void al_cell_widths(const double c[3][3], double width[3])
{
    double vol = fabs(al_mat3_det(c));
    for (int k = 0; k < 3; k++) {
        const double *u = c[(k + 1) % 3], *v = c[(k + 2) % 3];
        double x = u[1] * v[2] - u[2] * v[1];
        double y = u[2] * v[0] - u[0] * v[2];
        double z = u[0] * v[1] - u[1] * v[0];
        double area = sqrt(x * x + y * y + z * z);
        width[k] = area > 0.0 ? vol / area : 0.0;
    }
}

void al_cell_frac(const double inv[3][3], const double r[3], double s[3])
{
    for (int k = 0; k < 3; k++) s[k] = r[0] * inv[0][k] + r[1] * inv[1][k] + r[2] * inv[2][k];
}

void al_cell_cart(const double c[3][3], const double s[3], double r[3])
{
    for (int k = 0; k < 3; k++) r[k] = s[0] * c[0][k] + s[1] * c[1][k] + s[2] * c[2][k];
}
