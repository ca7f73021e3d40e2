/* Telling galore's file kinds apart by content (HDF5 signature) and name (extxyz). */
#ifndef ORC_FILE_KIND_H
#define ORC_FILE_KIND_H

typedef enum orc_file_kind {
    ORC_FILE_MISSING,
    ORC_FILE_HDF5,
    ORC_FILE_EXTXYZ,
    ORC_FILE_OTHER
} orc_file_kind;

/* Kind of an existing file from its first bytes, or ORC_FILE_MISSING. Non-HDF5 files are
 * taken as extxyz (their parser reports whatever is wrong with them). */
orc_file_kind orc_file_kind_of(const char *path);
/* Kind a new file should have from its name: .h5/.hdf5 → HDF5, .xyz/.extxyz → extxyz. */
orc_file_kind orc_file_kind_from_name(const char *path);

#endif
