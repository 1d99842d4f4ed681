// Package label draws a return's shipping label: an A6 PDF from the buyer's
// address to the shop's returns address, with the return's reference as
// text and as a Code 128 barcode a carrier's or the shop's scanner reads.
package label

import (
	"bytes"
	"fmt"

	"codeberg.org/go-pdf/fpdf"
	"github.com/boombuler/barcode/code128"

	"github.com/marketplace/helpcentre/domain"
)

// PDF draws f's label. The same facts give the same bytes.
func PDF(f domain.ReturnLabelFacts) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A6", "")
	pdf.SetCreationDate(f.Issued)
	pdf.SetModificationDate(f.Issued)
	pdf.SetCatalogSort(true)
	pdf.SetTitle("Return label "+f.Reference, true)
	pdf.SetMargins(8, 8, 8)
	pdf.SetAutoPageBreak(false, 8)
	pdf.AddPage()
	tr := pdf.UnicodeTranslatorFromDescriptor("cp1252") // core fonts: García, Martín, ñ
	w, _ := pdf.GetPageSize()
	text := w - 16

	pdf.SetFont("Helvetica", "B", 13)
	pdf.CellFormat(text, 7, "RETURN SHIPPING LABEL", "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 8)
	pdf.CellFormat(text, 4, tr(fmt.Sprintf("Order %s · issued %s · postage paid by the marketplace", f.Order, f.Issued.UTC().Format("2 Jan 2006"))), "", 1, "L", false, 0, "")
	pdf.Ln(2)

	block := func(title string, a *domain.Address, size float64) {
		pdf.SetFont("Helvetica", "B", 7)
		pdf.CellFormat(text, 4, title, "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", size)
		for _, l := range a.Lines() {
			pdf.CellFormat(text, size*0.45, tr(l), "", 1, "L", false, 0, "")
		}
		pdf.Ln(2)
	}
	block("FROM", f.From, 9)
	y := pdf.GetY()
	pdf.SetLineWidth(0.6)
	pdf.Rect(6, y-1, w-12, 30, "D")
	block("TO", f.To, 12)
	pdf.SetY(y + 31)

	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(text, 6, "Return reference: "+f.Reference, "", 1, "L", false, 0, "")
	if err := bars(pdf, f.Reference, 8, pdf.GetY()+1, text, 18); err != nil {
		return nil, err
	}
	pdf.SetY(pdf.GetY() + 21)
	pdf.SetFont("Courier", "", 10)
	pdf.CellFormat(text, 5, f.Reference, "", 1, "C", false, 0, "")
	pdf.Ln(2)
	pdf.SetFont("Helvetica", "", 7)
	pdf.MultiCell(text, 3.5, tr("Pack the product with this label on the outside and hand it to the carrier; then mark the return as shipped on your claim's page."), "", "L", false)

	var buf bytes.Buffer
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("label: %w", err)
	}
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("label: %w", err)
	}
	return buf.Bytes(), nil
}

// bars draws code as a Code 128 barcode filling w × h at (x, y): one
// rectangle per dark module, so it prints sharp at any resolution (fpdf's
// contrib/barcode would embed an image and bring a PDF417 library along).
func bars(pdf *fpdf.Fpdf, code string, x, y, w, h float64) error {
	bc, err := code128.Encode(code)
	if err != nil {
		return fmt.Errorf("label: barcode of %q: %w", code, err)
	}
	n := bc.Bounds().Dx()
	module := w / float64(n)
	pdf.SetFillColor(0, 0, 0)
	for i := 0; i < n; {
		r, _, _, _ := bc.At(i, 0).RGBA()
		if r != 0 {
			i++
			continue
		}
		j := i
		for j < n {
			if r, _, _, _ := bc.At(j, 0).RGBA(); r != 0 {
				break
			}
			j++
		}
		pdf.Rect(x+float64(i)*module, y, float64(j-i)*module, h, "F")
		i = j
	}
	return nil
}
