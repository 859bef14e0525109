"""Pure teaching numerics: functions of arrays, no plotting, no I/O, no printing."""
