package segment

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
)

// VerifyFiles checks every segment file (*.zap) of a scorch index folder
// against the CRC-32 (IEEE) its writer put in its last four bytes, over
// everything before them (zap's footer: "CRC-32 of everything up to but not
// including this CRC"). Zap does not check it when it opens a segment; a
// damaged length field then makes it allocate whatever the bytes say, and an
// allocation of terabytes is a fatal "out of memory" that no recover
// catches (one start in ~30 of the corruption test died so). Reading the
// files costs a pass over them at start (CRC-32 runs at GB/s here).
func VerifyFiles(indexDir string) error {
	files, err := filepath.Glob(filepath.Join(indexDir, "store", "*.zap"))
	if err != nil {
		return err
	}
	for _, path := range files {
		if err := verifyFile(path); err != nil {
			return err
		}
	}
	return nil
}

func verifyFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	n := st.Size()
	if n < 4 {
		return fmt.Errorf("segment %s: %d bytes, too short for a footer", path, n)
	}
	h := crc32.NewIEEE()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, n-4)); err != nil {
		return fmt.Errorf("segment %s: %w", path, err)
	}
	var stored [4]byte
	if _, err := f.ReadAt(stored[:], n-4); err != nil {
		return fmt.Errorf("segment %s: %w", path, err)
	}
	if got, want := h.Sum32(), binary.BigEndian.Uint32(stored[:]); got != want {
		return fmt.Errorf("segment %s: checksum %08x, its footer says %08x: damaged", path, got, want)
	}
	return nil
}
