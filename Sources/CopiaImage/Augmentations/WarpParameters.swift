import CopiaCore

/// The resolved parameters of the affine ops: the forward matrix (source to destination pixel coordinates) and how
/// to sample. The output keeps the input's size.
public struct AffineParameters: Codable, Sendable, Equatable {
    public var matrix: AffineMatrix
    public var interpolation: Interpolation
    public var borderMode: BorderMode
    public var fill: [Double]

    public init(matrix: AffineMatrix, interpolation: Interpolation = .bilinear, borderMode: BorderMode = .constant, fill: [Double] = [0]) {
        (self.matrix, self.interpolation, self.borderMode, self.fill) = (matrix, interpolation, borderMode, fill)
    }

    func apply(_ image: Image, op: String) throws -> Image {
        guard [matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f].allSatisfy(\.isFinite) else {
            throw AugmentationError(op: op, "matrix must be finite, got \(matrix)")
        }
        if matrix.isIdentity { return image }
        return WarpKernels.affine(image, matrix: matrix, width: image.width, height: image.height,
                                  interpolation: interpolation, border: borderMode, fill: fill)
    }
}

extension AffineMatrix {
    /// albumentations' `create_affine_transformation_matrix`: about `center`, scale, then rotate (degrees), then shear
    /// (degrees), then translate (pixels): `T(c) T(t) Shear Rot Scale T(-c)`.
    static func composed(scaleX: Double, scaleY: Double, rotate: Double, shearX: Double, shearY: Double,
                         translateX: Double, translateY: Double, center: (x: Double, y: Double)) -> AffineMatrix {
        let r = rotate.truncatingRemainder(dividingBy: 360) * Double.pi / 180
        let toOrigin = AffineMatrix(1, 0, -center.x, 0, 1, -center.y)
        let scale = AffineMatrix(scaleX, 0, 0, 0, scaleY, 0)
        let rot = AffineMatrix(cos(r), sin(r), 0, -sin(r), cos(r), 0)
        let shear = AffineMatrix(1, tan(shearX * Double.pi / 180), 0, tan(shearY * Double.pi / 180), 1, 0)
        let back = AffineMatrix(1, 0, center.x + translateX, 0, 1, center.y + translateY)
        return back.concatenating(shear).concatenating(rot).concatenating(scale).concatenating(toOrigin)
    }
}

import Foundation
