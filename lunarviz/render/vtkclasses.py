"""The VTK classes lunarviz uses, imported from their own modules.

``import vtk`` loads every one of VTK's ~180 modules (~0.5 s per process: every command and every
render-farm worker paid it); pyvista has already loaded the OpenGL and FreeType implementations
these classes need, so importing them from ``vtkmodules`` is enough. Use as ``from .vtkclasses
import vtk`` and keep ``vtk.vtkName``; a class not listed here is added here.
"""

from types import SimpleNamespace

from vtkmodules import (
    vtkCommonCore,
    vtkCommonDataModel,
    vtkCommonMath,
    vtkRenderingCore,
    vtkRenderingFreeType,
    vtkRenderingOpenGL2,
)

#: loaded for their object factories: the OpenGL implementations of the mappers, FreeType text
IMPLEMENTATIONS = (vtkRenderingOpenGL2, vtkRenderingFreeType)
_NAMES = {
    vtkCommonCore: ("VTK_FONT_FILE", "vtkPoints"),
    vtkCommonDataModel: ("vtkCellArray", "vtkImageData", "vtkPolyData"),
    vtkCommonMath: ("vtkMatrix4x4",),
    vtkRenderingCore: ("vtkActor", "vtkActor2D", "vtkLight", "vtkPointGaussianMapper", "vtkPolyDataMapper",
                       "vtkPolyDataMapper2D", "vtkRenderer", "vtkTextActor", "vtkTextProperty", "vtkTextRenderer"),
}
vtk = SimpleNamespace(**{name: getattr(module, name) for module, names in _NAMES.items() for name in names})
