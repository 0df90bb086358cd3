package chibo.presentation.common

import com.google.zxing.BarcodeFormat
import com.google.zxing.EncodeHintType
import com.google.zxing.qrcode.QRCodeWriter
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel

/** A QR code as dark/light modules, row by row, for any UI to draw. */
class QrMatrix(val size: Int, private val dark: BooleanArray) {
    fun isDark(x: Int, y: Int): Boolean = dark[y * size + x]

    companion object {
        /** Medium error correction: a cracked or dusty screen still scans. */
        fun encode(text: String): QrMatrix {
            val bits = QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0, mapOf(EncodeHintType.ERROR_CORRECTION to ErrorCorrectionLevel.M, EncodeHintType.MARGIN to 0))
            val size = bits.width
            return QrMatrix(size, BooleanArray(size * size) { bits.get(it % size, it / size) })
        }
    }
}
