/* File-kind detection (see file_kind.h). */
#include "orchestrator/file_kind.h"

#include <stdio.h>
#include <string.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

orc_file_kind orc_file_kind_of(const char *path)
{
    /* HDF5 files start with this 8-byte signature (HDF5 File Format Specification, §II.A). */
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    if (strcmp(path, "-") == 0) return ORC_FILE_EXTXYZ;
    FILE *fp = fopen(path, "rb");
    if (!fp) return ORC_FILE_MISSING;
    unsigned char head[8] = {0};
    size_t got = fread(head, 1, sizeof head, fp);
    fclose(fp);
    if (got == sizeof head && memcmp(head, sig, sizeof sig) == 0) return ORC_FILE_HDF5;
    return ORC_FILE_EXTXYZ;
}

orc_file_kind orc_file_kind_from_name(const char *path)
{
    if (ends_with(path, ".h5") || ends_with(path, ".hdf5")) return ORC_FILE_HDF5;
    if (ends_with(path, ".xyz") || ends_with(path, ".extxyz") || strcmp(path, "-") == 0)
        return ORC_FILE_EXTXYZ;
    return ORC_FILE_OTHER;
}
