#ifndef CCOPIA_JPEG_H
#define CCOPIA_JPEG_H
#endif
