/* chipid native core: public prototypes and constants (cdef-clean: no #include, no macros with expressions). */
#define CHIPID_OK 0
#define CHIPID_EINVAL -1
#define CHIPID_ENOMEM -2
#define CHIPID_EPARSE -3

/* Version of the native ABI; bumped when a prototype changes. */
int chipid_abi_version(void);
