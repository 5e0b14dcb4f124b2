// Copia
