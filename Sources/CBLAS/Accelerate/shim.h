// macOS: Accelerate stands in for OpenBLAS. Its new LAPACK interface declares the same Fortran
// symbols (spotrf_, sgesdd_, …) with 32-bit integers, as OpenBLAS's LP64 build does.
#define ACCELERATE_NEW_LAPACK
#include <Accelerate/Accelerate.h>
