#ifndef CCOPIA_PNG_H
#define CCOPIA_PNG_H
#endif
