"""Statements, object types and ALTER TABLE subcommands in SQL words, for messages.

The parser names them by its C structs (`VariableSetStmt`, `OBJECT_MATVIEW`,
`AT_SetAccessMethod`): the report says what the user wrote instead (`SET`, `MATERIALIZED
VIEW`, `SET ACCESS METHOD`).
"""

from __future__ import annotations

import re
from typing import Any

from pglast import ast
from pglast.enums.parsenodes import (
    AlterTableType,
    ObjectType,
    TransactionStmtKind,
    VariableSetKind,
)

_TRANSACTION: dict[object, str] = {
    TransactionStmtKind.TRANS_STMT_BEGIN: "BEGIN",
    TransactionStmtKind.TRANS_STMT_START: "START TRANSACTION",
    TransactionStmtKind.TRANS_STMT_COMMIT: "COMMIT",
    TransactionStmtKind.TRANS_STMT_ROLLBACK: "ROLLBACK",
    TransactionStmtKind.TRANS_STMT_SAVEPOINT: "SAVEPOINT",
    TransactionStmtKind.TRANS_STMT_RELEASE: "RELEASE SAVEPOINT",
    TransactionStmtKind.TRANS_STMT_ROLLBACK_TO: "ROLLBACK TO SAVEPOINT",
    TransactionStmtKind.TRANS_STMT_PREPARE: "PREPARE TRANSACTION",
    TransactionStmtKind.TRANS_STMT_COMMIT_PREPARED: "COMMIT PREPARED",
    TransactionStmtKind.TRANS_STMT_ROLLBACK_PREPARED: "ROLLBACK PREPARED",
}
# node classes whose name does not read as the command once split into words
_COMMANDS = {
    "ViewStmt": "CREATE VIEW",
    "RuleStmt": "CREATE RULE",
    "CreateEnumStmt": "CREATE TYPE",
    "CompositeTypeStmt": "CREATE TYPE",
    "CreateRangeStmt": "CREATE TYPE",
    "CreatedbStmt": "CREATE DATABASE",
    "DropdbStmt": "DROP DATABASE",
    "CreateSeqStmt": "CREATE SEQUENCE",
    "AlterSeqStmt": "ALTER SEQUENCE",
    "CreateTrigStmt": "CREATE TRIGGER",
    "CreateEventTrigStmt": "CREATE EVENT TRIGGER",
    "AlterEventTrigStmt": "ALTER EVENT TRIGGER",
    "CreateStatsStmt": "CREATE STATISTICS",
    "AlterStatsStmt": "ALTER STATISTICS",
    "CreateFdwStmt": "CREATE FOREIGN DATA WRAPPER",
    "AlterFdwStmt": "ALTER FOREIGN DATA WRAPPER",
    "CreateForeignServerStmt": "CREATE SERVER",
    "AlterForeignServerStmt": "ALTER SERVER",
    "CreatePLangStmt": "CREATE LANGUAGE",
    "CreateAmStmt": "CREATE ACCESS METHOD",
    "CreateOpClassStmt": "CREATE OPERATOR CLASS",
    "CreateOpFamilyStmt": "CREATE OPERATOR FAMILY",
    "AlterOpFamilyStmt": "ALTER OPERATOR FAMILY",
    "CreateTableSpaceStmt": "CREATE TABLESPACE",
    "DropTableSpaceStmt": "DROP TABLESPACE",
    "AlterTableSpaceOptionsStmt": "ALTER TABLESPACE",
    "AlterTableMoveAllStmt": "ALTER TABLE ALL IN TABLESPACE",
    "AlterTSConfigurationStmt": "ALTER TEXT SEARCH CONFIGURATION",
    "AlterTSDictionaryStmt": "ALTER TEXT SEARCH DICTIONARY",
    "AlterDatabaseSetStmt": "ALTER DATABASE",
    "AlterDatabaseRefreshCollStmt": "ALTER DATABASE REFRESH COLLATION VERSION",
    "AlterRoleSetStmt": "ALTER ROLE",
    "AlterObjectDependsStmt": "ALTER ... DEPENDS ON EXTENSION",
    "AlterOwnerStmt": "ALTER ... OWNER TO",
    "AlterObjectSchemaStmt": "ALTER ... SET SCHEMA",
    "AlterFunctionStmt": "ALTER FUNCTION",
    "AlterDefaultPrivilegesStmt": "ALTER DEFAULT PRIVILEGES",
    "AlterExtensionContentsStmt": "ALTER EXTENSION",
    "ConstraintsSetStmt": "SET CONSTRAINTS",
    "VariableShowStmt": "SHOW",
    "CheckPointStmt": "CHECKPOINT",
    "ClosePortalStmt": "CLOSE",
    "DeclareCursorStmt": "DECLARE",
    "FetchStmt": "FETCH",
    "SecLabelStmt": "SECURITY LABEL",
    "CreateUserMappingStmt": "CREATE USER MAPPING",
    "AlterUserMappingStmt": "ALTER USER MAPPING",
    "DropUserMappingStmt": "DROP USER MAPPING",
    "CreateForeignTableStmt": "CREATE FOREIGN TABLE",
    "CreateConversionStmt": "CREATE CONVERSION",
    "CreateCastStmt": "CREATE CAST",
    "CreateTransformStmt": "CREATE TRANSFORM",
    "DropOwnedStmt": "DROP OWNED",
    "ReassignOwnedStmt": "REASSIGN OWNED",
}
_OBJECTS = {
    ObjectType.OBJECT_MATVIEW: "MATERIALIZED VIEW",
    ObjectType.OBJECT_TABCONSTRAINT: "CONSTRAINT",
    ObjectType.OBJECT_DOMCONSTRAINT: "CONSTRAINT",
    ObjectType.OBJECT_FDW: "FOREIGN DATA WRAPPER",
    ObjectType.OBJECT_FOREIGN_SERVER: "SERVER",
    ObjectType.OBJECT_ATTRIBUTE: "ATTRIBUTE",
    ObjectType.OBJECT_LARGEOBJECT: "LARGE OBJECT",
    ObjectType.OBJECT_OPCLASS: "OPERATOR CLASS",
    ObjectType.OBJECT_OPFAMILY: "OPERATOR FAMILY",
    ObjectType.OBJECT_TSCONFIGURATION: "TEXT SEARCH CONFIGURATION",
    ObjectType.OBJECT_TSDICTIONARY: "TEXT SEARCH DICTIONARY",
    ObjectType.OBJECT_TSPARSER: "TEXT SEARCH PARSER",
    ObjectType.OBJECT_TSTEMPLATE: "TEXT SEARCH TEMPLATE",
    ObjectType.OBJECT_STATISTIC_EXT: "STATISTICS",
    ObjectType.OBJECT_USER_MAPPING: "USER MAPPING",
    ObjectType.OBJECT_DEFACL: "DEFAULT PRIVILEGES",
    ObjectType.OBJECT_AMOP: "OPERATOR",
    ObjectType.OBJECT_AMPROC: "FUNCTION",
    ObjectType.OBJECT_PUBLICATION_REL: "PUBLICATION",
    ObjectType.OBJECT_SUBSCRIPTION: "SUBSCRIPTION",
}
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def object_words(objtype: Any) -> str:
    """OBJECT_MATVIEW -> 'MATERIALIZED VIEW', OBJECT_FOREIGN_TABLE -> 'FOREIGN TABLE'."""
    if objtype in _OBJECTS:
        return _OBJECTS[objtype]
    return str(getattr(objtype, "name", objtype)).removeprefix("OBJECT_").replace("_", " ")


def command_words(node: Any) -> str:
    """The command a statement node is, as SQL writes it: `SET`, `RESET`, `BEGIN`,
    `CREATE VIEW`, `GRANT` (not `VariableSet`, `Transaction`, `View`, `Grant`)."""
    if isinstance(node, ast.VariableSetStmt):
        if node.kind == VariableSetKind.VAR_RESET:
            return "RESET"
        if node.kind == VariableSetKind.VAR_RESET_ALL:
            return "RESET ALL"
        if node.kind == VariableSetKind.VAR_SET_MULTI:  # SET TRANSACTION ..., SET SESSION ...
            return f"SET {str(node.name or 'TRANSACTION').upper()}"
        return "SET LOCAL" if node.is_local else "SET"
    if isinstance(node, ast.TransactionStmt):
        return _TRANSACTION.get(node.kind, "BEGIN")
    if isinstance(node, ast.GrantStmt):
        return "GRANT" if node.is_grant else "REVOKE"
    if isinstance(node, ast.GrantRoleStmt):
        return "GRANT" if node.is_grant else "REVOKE"
    if isinstance(node, ast.DefineStmt):
        return f"CREATE {object_words(node.kind)}"
    if isinstance(node, ast.CreateTableAsStmt) and node.objtype == ObjectType.OBJECT_MATVIEW:
        return "CREATE MATERIALIZED VIEW"
    name = type(node).__name__
    if name in _COMMANDS:
        return _COMMANDS[name]
    return " ".join(_CAMEL.split(name.removesuffix("Stmt"))).upper()


def subcommand_words(cmd: Any) -> str:
    """An ALTER TABLE subcommand that rewrites the table, as written: `SET UNLOGGED`,
    `SET ACCESS METHOD heap`, `SET TABLESPACE fast`, `ALTER COLUMN c SET EXPRESSION`."""
    sub = cmd.subtype
    if sub == AlterTableType.AT_SetLogged:
        return "SET LOGGED"
    if sub == AlterTableType.AT_SetUnLogged:
        return "SET UNLOGGED"
    if sub == AlterTableType.AT_SetAccessMethod:
        return f"SET ACCESS METHOD {cmd.name or 'DEFAULT'}"
    if sub == AlterTableType.AT_SetTableSpace:
        return f"SET TABLESPACE {cmd.name}"
    if sub == AlterTableType.AT_SetExpression:
        return f"ALTER COLUMN {cmd.name} SET EXPRESSION"
    return " ".join(_CAMEL.split(str(sub.name).removeprefix("AT_"))).upper()
