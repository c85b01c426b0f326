#include "srs_protocol_st.h"
int main(void) { return 0; }
