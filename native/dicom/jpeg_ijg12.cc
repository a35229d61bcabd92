// GDCM's 12-bit IJG fork (see jpeg_ijg_impl.h).
#ifdef RSNA_HAVE_GDCM_JPEG
#define RSNA_IJG_HEADER "gdcmjpeg/12/jpeglib.h"
#define RSNA_IJG_DECODE DecodeIjg12
#include "jpeg_ijg_impl.h"
#endif
