#ifndef OBSCTL_CEXPAT_SHIM_H
#define OBSCTL_CEXPAT_SHIM_H
// libexpat (libexpat1-dev), the XML parser that reads OBS and S3 response bodies. Its API is not variadic, so Swift
// calls it directly; this header only gathers it into one module.
#include <expat.h>
#endif
