# Third-party libraries, all from Debian packages (see README.md for the package names).
# Each becomes an imported target that exactly one module links to.
find_package(PkgConfig REQUIRED)

pkg_check_modules(YAML REQUIRED IMPORTED_TARGET yaml-0.1)
pkg_check_modules(FFTW3 REQUIRED IMPORTED_TARGET fftw3)
pkg_check_modules(LIBXC REQUIRED IMPORTED_TARGET libxc)
pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
pkg_check_modules(LAPACKE REQUIRED IMPORTED_TARGET lapacke)

set(HDF5_PREFER_PARALLEL FALSE)
find_package(HDF5 REQUIRED COMPONENTS C)
add_library(galore_hdf5 INTERFACE)
target_include_directories(galore_hdf5 SYSTEM INTERFACE ${HDF5_C_INCLUDE_DIRS})
target_link_libraries(galore_hdf5 INTERFACE ${HDF5_C_LIBRARIES})
target_compile_definitions(galore_hdf5 INTERFACE ${HDF5_C_DEFINITIONS})

find_library(MATH_LIBRARY m REQUIRED)

set(GALORE_HAVE_MPI 0)
if(NOT GALORE_MPI STREQUAL "OFF")
  if(GALORE_MPI STREQUAL "ON")
    find_package(MPI REQUIRED COMPONENTS C)
  else()
    find_package(MPI QUIET COMPONENTS C)
  endif()
  if(MPI_C_FOUND)
    set(GALORE_HAVE_MPI 1)
  endif()
endif()
message(STATUS "galore: MPI ${GALORE_HAVE_MPI}")
