/*
 * Extended XYZ files (ASE/QUIP convention), read as a stream and written frame by frame.
 *
 * Line 1: atom count. Line 2: key=value pairs, with `Lattice="ax ay az bx by bz cx cy cz"`,
 * `Properties=species:S:1:pos:R:3:...` (name:type:columns, types S string, R real, I integer,
 * L logical), `pbc="T T T"`, `energy=`, `virial="9 numbers"` or `stress="9 numbers"` (eV/Å³,
 * converted to the virial), and any other fields. Then one line per atom with the columns of
 * Properties. Recognised per-atom columns: species (or Z), pos, forces (or force), velo (Å/fs).
 * Everything else (per-frame keys and per-atom columns) is kept in frame->info / frame->props
 * and written back, so files round-trip without loss.
 *
 * Reading streams: only the current frame is held in memory, so files of any size work.
 * Errors name the file and line ("train.xyz:1043: atom 17: 'x1.5' is not a number").
 */
#ifndef AL_EXTXYZ_H
#define AL_EXTXYZ_H

#include <stdio.h>

#include "core/frame.h"
#include "core/status.h"

typedef struct al_xyz_reader al_xyz_reader;

/* Opens path for reading ("-" is stdin). */
al_status al_xyz_open(const char *path, al_xyz_reader **out, al_err *err);
/* Reads from an open stream, which al_xyz_close leaves open; name stands for it in messages. */
al_status al_xyz_open_stream(FILE *fp, const char *name, al_xyz_reader **out, al_err *err);
/*
 * Reads the next frame into f (f is finalised and refilled). Returns AL_OK with *done = 0 on a
 * frame, AL_OK with *done = 1 at the end of the file, or an error (AL_EFORMAT, AL_EIO) that
 * names file and line.
 */
al_status al_xyz_read_next(al_xyz_reader *r, al_frame *f, int *done, al_err *err);
/* Index (0-based) of the frame most recently read, and the line number it started on. */
size_t al_xyz_frame_index(const al_xyz_reader *r);
void al_xyz_close(al_xyz_reader *r);

/* Appends one frame to an open stream in extxyz format (full double precision). */
al_status al_xyz_write(FILE *fp, const al_frame *f, al_err *err);

/* Convenience: reads every frame of a file into a newly allocated array (*frames, *n). */
al_status al_xyz_read_all(const char *path, al_frame **frames, size_t *n, al_err *err);
/* Frees an array from al_xyz_read_all. */
void al_frames_free(al_frame *frames, size_t n);
/* Frames as text in memory (messages between processes): n frames written into a new buffer
 * (*text of *len bytes, al_free it), and every frame of text[0..len) read back (name stands for
 * the buffer in messages). The text is that of a file, so frames round-trip exactly. */
al_status al_xyz_write_buffer(const al_frame *frames, size_t n, char **text, size_t *len, al_err *err);
al_status al_xyz_read_buffer(const char *text, size_t len, const char *name, al_frame **frames,
                             size_t *n, al_err *err);
/* Convenience: writes n frames to path (replacing it atomically: written to path.tmp, renamed). */
al_status al_xyz_write_file(const char *path, const al_frame *frames, size_t n, al_err *err);

#endif
